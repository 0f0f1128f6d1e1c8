import { atEnd } from './lifecycle';

/** Collects what escapes to the process (uncaught exceptions, unhandled rejections) during a test. */
export function trackUncaught(): unknown[] {
  const escaped: unknown[] = [];
  const onError = (error: unknown) => escaped.push(error);
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
  atEnd(() => {
    process.off('uncaughtException', onError);
    process.off('unhandledRejection', onError);
  });
  return escaped;
}
