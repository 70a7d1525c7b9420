import { useEffect, useState } from 'react';
import type { PickerOption } from './pickers';

export interface AsyncOptions {
  options: Array<PickerOption<string>>;
  loading: boolean;
  error?: string;
}

interface Loaded {
  key: string;
  options: Array<PickerOption<string>>;
  error?: string;
}

/**
 * Loads a filter's option list from the exporter once per editor (and again when `key` changes). A failure leaves
 * the list empty with the reason: the filter still takes typed values and template variables.
 */
export function useAsyncOptions(
  load: (() => Promise<Array<PickerOption<string>>>) | undefined,
  key: string
): AsyncOptions {
  const [loaded, setLoaded] = useState<Loaded | undefined>(undefined);

  useEffect(() => {
    if (!load) {
      return;
    }
    let active = true;
    load().then(
      (options) => active && setLoaded({ key, options }),
      (err: unknown) =>
        active && setLoaded({ key, options: [], error: err instanceof Error ? err.message : String(err) })
    );
    return () => {
      active = false;
    };
    // `load` is recreated on every render; `key` names what it loads.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  if (!load) {
    return { options: [], loading: false };
  }
  if (loaded?.key !== key) {
    return { options: [], loading: true };
  }
  return { options: loaded.options, loading: false, error: loaded.error };
}
