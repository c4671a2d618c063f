/** The control room's stock page (filled in by the next commits). */
export function StockPage() {
  return <h2>Stock</h2>;
}
