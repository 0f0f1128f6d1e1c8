/** A set of callbacks where each registration is removed on its own, even for the same function twice. */
export class Listeners<T> {
  // Each registration is a function of its own, so the same callback added twice is two entries.
  private registered = new Set<(value: T) => void>();

  /** Returns the function that removes this registration: true the first time, false after. */
  add(fn: (value: T) => void): () => boolean {
    const entry = (value: T) => fn(value);
    this.registered.add(entry);
    return () => this.registered.delete(entry);
  }

  /** Calls every listener; one that throws is handed to `onThrow` and the rest still run. */
  emit(value: T, onThrow: (error: unknown) => void): void {
    for (const entry of this.registered) {
      try {
        entry(value);
      } catch (error) {
        onThrow(error);
      }
    }
  }

  get size(): number {
    return this.registered.size;
  }

  clear(): void {
    this.registered.clear();
  }
}
