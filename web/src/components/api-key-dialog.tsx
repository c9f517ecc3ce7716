/** Asks for the server's API key after a 401. The key is kept in sessionStorage by the API client. */
import { useEffect, useRef, useState } from 'preact/hooks';

export interface ApiKeyDialogProps {
  message: string;
  onSubmit: (key: string | null) => void;
}

export function ApiKeyDialog({ message, onSubmit }: ApiKeyDialogProps) {
  const [key, setKey] = useState('');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  return (
    <div class="modal-backdrop">
      <form
        class="modal"
        role="dialog"
        aria-modal="true"
        aria-labelledby="api-key-title"
        onSubmit={(event) => {
          event.preventDefault();
          onSubmit(key.trim() === '' ? null : key.trim());
        }}
        onKeyDown={(event) => {
          if (event.key === 'Escape') onSubmit(null);
        }}
      >
        <h2 id="api-key-title">API key</h2>
        <p>{message} It is kept for this browser tab only (sessionStorage) and sent as <code>Authorization: Bearer</code>.</p>
        <input
          ref={input}
          type="password"
          name="api-key"
          autocomplete="off"
          aria-label="API key"
          value={key}
          onInput={(event) => setKey(event.currentTarget.value)}
        />
        <div class="modal-actions">
          <button type="button" onClick={() => onSubmit(null)}>Cancel</button>
          <button type="submit" class="primary">Use key</button>
        </div>
      </form>
    </div>
  );
}
