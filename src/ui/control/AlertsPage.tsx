/** The control room's alerts page (filled in by the next commits). */
export function AlertsPage() {
  return <h2>Alerts</h2>;
}
