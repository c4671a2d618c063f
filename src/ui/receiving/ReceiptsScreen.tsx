import { useLiveQuery } from 'dexie-react-hooks';
import { findReceiptBySscc } from '../../domain/workflows/receiving.ts';
import { describeScan } from '../../domain/workflows/common.ts';
import { useDevice } from '../app/device.ts';
import { playFeedback } from '../feedback/sound.ts';
import { Screen } from '../shell/Screen.tsx';
import { useSession } from '../session/store.ts';

/** Expected receipts from the work cache; scanning a pallet's SSCC opens its receipt. */
export function ReceiptsScreen() {
  const { db } = useDevice();
  const go = useSession((s) => s.go);
  const show = useSession((s) => s.show);
  const receipts = useLiveQuery(() => db.receipts.where('status').equals('open').sortBy('id'), [db]);
  return (
    <Screen
      title="Receiving"
      showRecent={false}
      onScan={(scan) => {
        const sscc = scan.kind === 'pallet' ? scan.sscc : scan.kind === 'goods' ? scan.sscc : undefined;
        const receipt = sscc ? findReceiptBySscc(receipts ?? [], sscc) : undefined;
        if (!sscc || !receipt) {
          const message = scan.kind === 'unreadable' ? scan.message : sscc ? `Pallet ${sscc} is on no open receipt` : `Scan a pallet label (SSCC), not ${describeScan(scan)}`;
          show({ tone: 'wrong', message });
          playFeedback('wrong');
          return;
        }
        go({ name: 'receive', receiptId: receipt.id, sscc });
      }}
    >
      <p className="prompt">Scan a pallet, or open a receipt</p>
      {receipts === undefined ? <p>Loading…</p> : receipts.length === 0 ? <p>No expected receipts.</p> : null}
      <ul className="list" aria-label="Expected receipts">
        {receipts?.map((r) => (
          <li key={r.id}>
            <button type="button" onClick={() => go({ name: 'receive', receiptId: r.id, sscc: null })}>
              {r.id} · {r.supplier} · {r.lines.length} line{r.lines.length === 1 ? '' : 's'} · {r.ssccs.length} pallet{r.ssccs.length === 1 ? '' : 's'}
            </button>
          </li>
        ))}
      </ul>
    </Screen>
  );
}
