// The landing page at the server's root (dist/index.html): what the product is, where its pages and the app package
// are, and how an administrator installs it. Static, bilingual, no script; the server's CSP applies as to every page.
// In local mode the server puts the playground's link where the comment `local-mode playground` is.
const path = require('node:path');

const PAGE = `<!doctype html>
<html lang="zh-Hant-TW">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>機敏守門員 Secrecy Guard</title>
<style>
  :root { color-scheme: light dark; --fg: #242424; --bg: #fff; --muted: #616161; --accent: #a4262c; --line: #e0e0e0; }
  @media (prefers-color-scheme: dark) { :root { --fg: #f0f0f0; --bg: #1f1f1f; --muted: #c8c8c8; --accent: #ff8a8f; --line: #444; } }
  body { margin: 0; font: 16px/1.6 "Microsoft JhengHei", "PingFang TC", "Noto Sans CJK TC", "TW-Sung", sans-serif; color: var(--fg); background: var(--bg); }
  main { max-width: 46rem; margin: 0 auto; padding: 2rem 1.25rem 3rem; }
  h1 { font-size: 1.75rem; margin: 0 0 .25rem; } h1 span { color: var(--muted); font-size: 1rem; font-weight: normal; }
  h2 { font-size: 1.2rem; margin: 2rem 0 .5rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
  .en { color: var(--muted); font-size: .92em; }
  blockquote { margin: 1rem 0; padding: .75rem 1rem; border-left: 4px solid var(--accent); font-size: 1.1rem; }
  a { color: inherit; text-underline-offset: 3px; } a:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
  code { font-family: ui-monospace, Consolas, monospace; font-size: .9em; }
  ul { padding-left: 1.25rem; }
  @media (forced-colors: active) { blockquote { border-left-color: CanvasText; } }
</style>
</head>
<body>
<main>
  <h1>機敏守門員 <span lang="en">Secrecy Guard</span></h1>
  <p>依法務部廉政署「機敏會議資訊保密之道」，防止機敏會議資訊經電子郵件外流，並協助會議主席提醒與會人員保密。<br>
  <span class="en" lang="en">Keeps sensitive meeting information out of e-mail and helps meeting chairs remind attendees of secrecy, following the Agency Against Corruption's guidance.</span></p>
  <blockquote>本會議因具機敏性質，與會人員應行保密。</blockquote>

  <h2>安裝 <span class="en" lang="en">Install</span></h2>
  <ul>
    <li><a href="/app-package.zip">下載應用程式套件（Teams 會議擴充功能與 Outlook 增益集）</a><br><span class="en" lang="en">Download the app package (Teams meeting extension and Outlook add-in) for the Teams or Microsoft 365 admin center.</span></li>
    <li><a href="/manifest/manifest.xml">Outlook for Mac 增益集資訊清單（XML）</a><br><span class="en" lang="en">The add-in manifest for Outlook on Mac.</span></li>
    <li><a href="/manifest/support.html">支援與隱私說明</a><br><span class="en" lang="en">Support and privacy.</span></li>
  </ul>
  <p>由系統管理者集中部署；傳送檢查以「封鎖」模式運作，增益集無法執行時郵件不會寄出。<br>
  <span class="en" lang="en">Deployed centrally by an administrator; the send check runs in block mode, so mail does not leave when the add-in cannot run.</span></p>

  <!-- local-mode playground -->

  <h2>頁面 <span class="en" lang="en">Pages</span></h2>
  <p>以下頁面於 Outlook 與 Teams 中開啟；直接以瀏覽器開啟時僅顯示說明。<br><span class="en" lang="en">These pages open inside Outlook and Teams; in a plain browser they only explain themselves.</span></p>
  <ul>
    <li><a href="/addin/taskpane/taskpane.html">Outlook 工作窗格</a> · <span lang="en">Outlook task pane</span></li>
    <li><a href="/teams/config.html">Teams 會議設定</a> · <span lang="en">Teams meeting setup</span></li>
    <li><a href="/teams/side-panel.html">Teams 會議側邊欄</a> · <span lang="en">Teams side panel</span></li>
    <li><a href="/teams/stage.html">Teams 會議舞台</a> · <span lang="en">Teams meeting stage</span></li>
  </ul>

  <h2>狀態 <span class="en" lang="en">Status</span></h2>
  <p><a href="/healthz"><code>/healthz</code></a>：伺服器與資料庫 · <span lang="en">server and store</span></p>
</main>
</body>
</html>
`;

/**
 * @param {{ production: boolean, EmitFilesPlugin: new (files: Record<string, string>) => import('webpack').WebpackPluginInstance }} options
 * @returns {import('webpack').Configuration}
 */
module.exports = function siteConfig({ production, EmitFilesPlugin }) {
  return {
    name: 'site',
    mode: production ? 'production' : 'development',
    entry: {},
    output: {
      path: path.resolve(__dirname, '..', '..', 'dist'),
      // Only the landing page is ours; every other file in dist/ belongs to another configuration.
      clean: { keep: (asset) => asset !== 'index.html' },
    },
    plugins: [new EmitFilesPlugin({ 'index.html': PAGE })],
    optimization: { minimize: false },
    performance: { hints: false },
  };
};

module.exports.LANDING_PAGE = PAGE;
