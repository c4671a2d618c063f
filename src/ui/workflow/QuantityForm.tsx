import { useState } from 'react';

/** The keyed quantity of a scanning screen: the text goes to the reducer, which validates it. */
export function QuantityForm({ onQuantity, label = 'Quantity' }: { onQuantity: (text: string) => void; label?: string }) {
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
        {label}
        <input value={qty} onChange={(e) => setQty(e.target.value)} inputMode="numeric" />
      </label>
      <button type="submit">Set quantity</button>
    </form>
  );
}
