import { useLiveQuery } from 'dexie-react-hooks';
import { findReceiptBySscc } from '../../domain/workflows/receiving.ts';
import { describeScan } from '../../domain/workflows/common.ts';
import { useDevice } from '../app/device.ts';
import { paths, useGo } from '../app/routes.ts';
import { playFeedback } from '../feedback/sound.ts';
import { useT } from '../i18n/i18n.ts';
import { Screen } from '../shell/Screen.tsx';
import { useSession } from '../session/store.ts';

/** Expected receipts from the work cache; scanning a pallet's SSCC opens its receipt and says so. */
export function ReceiptsScreen() {
  const { db } = useDevice();
  const go = useGo();
  const { t } = useT();
  const show = useSession((s) => s.show);
  const receipts = useLiveQuery(() => db.receipts.where('status').equals('open').sortBy('id'), [db]);
  return (
    <Screen
      title={t('ui.tile.receive')}
      back={() => go(paths.home)}
      showRecent={false}
      onScan={(scan) => {
        const sscc = scan.kind === 'pallet' ? scan.sscc : scan.kind === 'goods' ? scan.sscc : undefined;
        const receipt = sscc ? findReceiptBySscc(receipts ?? [], sscc) : undefined;
        if (!sscc || !receipt) {
          if (scan.kind === 'unreadable') show({ tone: 'wrong', code: scan.code, params: scan.params });
          else if (sscc) show({ tone: 'wrong', code: 'receiving.palletNoReceipt', params: { sscc } });
          else show({ tone: 'wrong', code: 'receiving.scanPallet', params: describeScan(scan) });
          playFeedback('wrong');
          return;
        }
        go(paths.receive(receipt.id, sscc));
        // Shown on the receipt's screen, which the scan opened.
        show({ tone: 'accepted', code: 'receiving.palletOpens', params: { sscc, receipt: receipt.id, supplier: receipt.supplier } });
        playFeedback('accepted');
      }}
    >
      <p className="prompt">{t('ui.receiptsPrompt')}</p>
      {receipts === undefined ? <p>{t('ui.loading')}</p> : receipts.length === 0 ? <p>{t('ui.noReceipts')}</p> : null}
      <ul className="list" aria-label={t('ui.receipts')}>
        {receipts?.map((r) => (
          <li key={r.id}>
            <button type="button" onClick={() => go(paths.receive(r.id))}>
              {t('ui.receiptButton', { id: r.id, supplier: r.supplier, lines: r.lines.length, pallets: r.ssccs.length })}
            </button>
          </li>
        ))}
      </ul>
    </Screen>
  );
}
