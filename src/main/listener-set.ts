/** A set of listeners for one kind of value; `add` returns the function that removes the listener. */
export interface ListenerSet<T> {
  add(listener: (value: T) => void): () => void
  emit(value: T): void
  readonly size: number
}

export function createListenerSet<T>(onListenerError?: (error: unknown) => void): ListenerSet<T> {
  const listeners = new Set<(value: T) => void>()
  return {
    add(listener) {
      listeners.add(listener)
      return () => {
        listeners.delete(listener)
      }
    },
    emit(value) {
      // One throwing listener must not starve the others (e.g. a window closed mid-send).
      for (const listener of [...listeners]) {
        try {
          listener(value)
        } catch (error) {
          onListenerError?.(error)
        }
      }
    },
    get size() {
      return listeners.size
    }
  }
}
