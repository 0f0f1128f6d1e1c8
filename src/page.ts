import type { Log, PageChange } from './debug';

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
export function watchPage(on: PageEvents, log?: Log): () => void {
  if (typeof window === 'undefined' || typeof document === 'undefined' || !window.addEventListener) return () => {};
  const note = (change: PageChange): void => log?.({ event: 'page', change });
  const bindings: [EventTarget, string, (event: Event) => void][] = [
    [document, 'visibilitychange', () => { note(pageIsHidden() ? 'hidden' : 'shown'); on.hidden(pageIsHidden()); }],
    [window, 'online', () => { note('online'); on.online(); }],
    [window, 'offline', () => note('offline')],
    [window, 'pagehide', () => { note('leave'); on.leave(); }],
    [window, 'pageshow', (event) => { if ((event as PageTransitionEvent).persisted) { note('restore'); on.restore(); } }],
  ];
  for (const [target, type, listener] of bindings) target.addEventListener(type, listener);
  return () => {
    for (const [target, type, listener] of bindings) target.removeEventListener(type, listener);
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
