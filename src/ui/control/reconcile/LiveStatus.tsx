/** The line under a control-room page's heading: what the last action said, a paused feed, or loading. */
export type Said = { text: string; bad: boolean } | null;

export function LiveStatus({ said, error, loading }: { said: Said; error: string | null | undefined; loading: string | null }) {
  return (
    <>
      {said && (
        <p role="status" className={said.bad ? 'reconcile-bad' : 'reconcile-ok'}>
          {said.text}
        </p>
      )}
      {error && <p role="alert">Live figures paused: {error}</p>}
      {loading && !error && <p aria-busy="true">{loading}</p>}
    </>
  );
}
