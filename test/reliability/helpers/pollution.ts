const PROTOTYPES = { Object: Object.prototype, Array: Array.prototype, Function: Function.prototype, String: String.prototype };

function snapshot(): Record<string, string[]> {
  return Object.fromEntries(Object.entries(PROTOTYPES).map(([name, proto]) => [name, Reflect.ownKeys(proto).map(String).sort()]));
}

const baseline = snapshot();

/** Own keys added to a built-in prototype since this module loaded, plus the hostile payload's marker if it reached `{}`. */
export function pollution(): string[] {
  const now = snapshot();
  const added = Object.keys(now).flatMap((name) => now[name].filter((key) => !baseline[name].includes(key)).map((key) => `${name}.prototype.${key}`));
  if ((({}) as Record<string, unknown>).polluted !== undefined) added.push('({}).polluted');
  if (({}).toString === ('polluted' as unknown)) added.push('({}).toString');
  return added;
}
