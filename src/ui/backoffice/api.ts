/** The back office's calls to the master-data API (online only: master data is the central store's). */
import { API_PREFIX } from '../../domain/protocol.ts';
import type { HttpClient } from '../../device/sync/http.ts';
import type { LineError } from '../../domain/masterdata/csv.ts';

export type Entity = 'catalog' | 'sites' | 'locations' | 'users' | 'receipts';
export type ImportReport = {
  lines: number;
  created: number;
  updated: number;
  unchanged: number;
  errors: LineError[];
  errorCount: number;
  unknownColumns: string[];
  imported: boolean;
  message?: string;
};

export type Answer<T> = { status: number; body: T & { error?: string; message?: string } };

/** One call; the body parsed when it is JSON. Never throws on an HTTP status, only on a network failure. */
export async function call<T>(
  http: HttpClient,
  token: string,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: { csv: string } | { json: unknown },
): Promise<Answer<T>> {
  const res = await http.send({
    method,
    path: `${API_PREFIX}/masterdata${path}`,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body ? { 'content-type': 'csv' in body ? 'text/csv' : 'application/json' } : {}),
    },
    ...(body ? { body: 'csv' in body ? body.csv : JSON.stringify(body.json) } : {}),
  });
  let parsed: unknown = res.text;
  try {
    parsed = JSON.parse(res.text);
  } catch {
    // A CSV export.
  }
  return { status: res.status, body: parsed as T & { error?: string; message?: string } };
}

/** Saves text as a file download. */
export function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
