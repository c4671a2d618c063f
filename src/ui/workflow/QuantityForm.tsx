import { useState } from 'react';
import { useT } from '../i18n/i18n.ts';

/** The keyed quantity of a scanning screen: the text goes to the reducer, which validates it. */
export function QuantityForm({ onQuantity, label }: { onQuantity: (text: string) => void; label?: string }) {
  const { t } = useT();
  const [qty, setQty] = useState('');
  return (
    <form
      className="row"
      onSubmit={(e) => {
        e.preventDefault();
        onQuantity(qty);
        setQty('');
      }}
    >
      <label>
        {label ?? t('ui.quantity')}
        <input value={qty} onChange={(e) => setQty(e.target.value)} inputMode="numeric" />
      </label>
      <button type="submit" className="secondary">
        {t('ui.setQuantity')}
      </button>
    </form>
  );
}
