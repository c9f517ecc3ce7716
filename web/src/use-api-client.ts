/** The page's API client, and the pending API-key question it asks the user after a 401. */
import { useMemo, useState } from 'preact/hooks';
import { createApiClient, type ApiClient } from './api-client.js';

export interface KeyRequest {
  message: string;
  /** The key the user typed, or `null` when they declined. */
  answer: (key: string | null) => void;
}

export function useApiClient(): { client: ApiClient; keyRequest: KeyRequest | null } {
  const [keyRequest, setKeyRequest] = useState<KeyRequest | null>(null);
  const client = useMemo(
    () =>
      createApiClient({
        askForApiKey: (message) =>
          new Promise((resolve) =>
            setKeyRequest({
              message,
              answer: (key) => {
                resolve(key);
                setKeyRequest(null);
              },
            }),
          ),
      }),
    [],
  );
  return { client, keyRequest };
}
