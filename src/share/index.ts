/**
 * Tab sharing, an import of its own so that an app that does not share carries none of it:
 * `createTaskClient({ url, shareConnection: share })`. See docs/many-tabs.md.
 */
export { createGroup as share, type ShareConnection } from './group';
