export function App() {
  return <main><h1>Floor Scanner</h1></main>;
}
