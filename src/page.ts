/** What the client does when the browser page changes. */
export interface PageEvents {
  hidden(hidden: boolean): void;
  online(): void;
  /** The page is going away or into the back/forward cache. */
  leave(): void;
  /** The page came back from the back/forward cache. */
  restore(): void;
}

/**
 * Watches visibility, connectivity and the back/forward cache. Outside a browser it watches
 * nothing. Called at client creation, never at import, so that server rendering stays untouched.
 */
export function watchPage(on: PageEvents): () => void {
  if (typeof window === 'undefined' || typeof document === 'undefined' || !window.addEventListener) return () => {};
  const onVisibility = () => on.hidden(document.visibilityState === 'hidden');
  const onOnline = () => on.online();
  const onPageHide = () => on.leave();
  const onPageShow = (event: PageTransitionEvent) => event.persisted && on.restore();
  document.addEventListener('visibilitychange', onVisibility);
  window.addEventListener('online', onOnline);
  window.addEventListener('pagehide', onPageHide);
  window.addEventListener('pageshow', onPageShow);
  return () => {
    document.removeEventListener('visibilitychange', onVisibility);
    window.removeEventListener('online', onOnline);
    window.removeEventListener('pagehide', onPageHide);
    window.removeEventListener('pageshow', onPageShow);
  };
}

export function pageIsHidden(): boolean {
  return typeof document !== 'undefined' && document.visibilityState === 'hidden';
}

export function browserIsOnline(): boolean {
  return typeof navigator === 'undefined' || navigator.onLine !== false;
}

export function pageLocation(): { href: string; protocol: string } | undefined {
  return typeof location === 'undefined' || !location.href ? undefined : location;
}
