/** A listener for a framework's event emitter whose failures stay here: recording never reaches the host. */
export function quiet<A extends unknown[]>(listener: (...args: A) => void): (...args: A) => void {
  return (...args: A): void => {
    try {
      listener(...args);
    } catch {
      // Recording never reaches the host.
    }
  };
}
