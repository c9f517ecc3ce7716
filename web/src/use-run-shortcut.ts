/** Ctrl+Enter (⌘+Enter on macOS) anywhere on the page calls `onRun`. */
import { useEffect, useRef } from 'preact/hooks';

export function useRunShortcut(onRun: () => void): void {
  // The ref keeps one listener on the latest callback (which closes over the latest form).
  const latest = useRef(onRun);
  latest.current = onRun;
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent): void => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        latest.current();
      }
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);
}
