export default function Home() {
  return (
    <main>
      <h1>fapi-sandbox</h1>
      <p>The sandbox is running. Control API: <a href="/api/health">/api/health</a>.</p>
    </main>
  );
}
