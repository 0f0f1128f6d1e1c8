#!/bin/sh
# Installs the Debian packages in system-packages.txt that are missing: with apt-get when run as root,
# otherwise prints the one command that does it and fails, before any test starts.
set -eu
list="$(dirname "$0")/system-packages.txt"
packages=$(sed 's/#.*//' "$list" | tr -s ' \n' ' ')
missing=''
for package in $packages; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $package"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing Debian packages:$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086 # one word per package
  apt-get install -y -qq $missing >/dev/null
  exit 0
fi
echo "The tests need Debian packages that are not installed. Run:" >&2
echo "  sudo apt-get install -y$missing" >&2
exit 1
