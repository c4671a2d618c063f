/** The control room's board page (filled in by the next commits). */
export function BoardPage() {
  return <h2>Board</h2>;
}
