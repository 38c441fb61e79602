/** A promise made once and shared, made again after `reset()` or after it rejects. */
export function shared(make) {
  let current = null;
  return {
    get() {
      if (!current) {
        const p = make();
        current = p;
        p.catch(() => {
          if (current === p) current = null;
        });
      }
      return current;
    },
    reset() {
      current = null;
    },
  };
}
