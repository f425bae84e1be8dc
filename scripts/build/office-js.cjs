// Where the built pages load office.js from: Microsoft's CDN by default, or (OFFICE_JS=self) a copy of
// @microsoft/office-js served from our own origin, for agencies whose network cannot reach the CDN.
//
// Microsoft documents the CDN reference: it "make[s] sure that it is using the most up-to-date implementation of
// Office.js and its associated files", and "Local references are only appropriate for internal, development, and
// debugging scenarios" (learn.microsoft.com/office/dev/add-ins/develop/referencing-the-javascript-api-for-office-library-from-its-cdn).
// A self-hosted copy is frozen at the npm package's version until the next build, so new requirement sets, fixes and
// Outlook host files arrive only with a rebuild, and it carries only the locales copied below (zh-TW and en-US; other
// display languages fall back to en-US strings).
//
// This concerns the HTML pages (the task pane; the event page web, new Outlook and Mac load). Classic Outlook on
// Windows loads the on-send script alone in its JavaScript-only runtime, where Office provides the API itself: that
// script never loads office.js (outlook-platform.md §7; troubleshoot-event-based-and-spam-reporting-add-ins: "Classic
// Outlook on Windows uses the JavaScript file during runtime ... the HTML file" for the others).

/** Microsoft's CDN address of office.js, release 1 (the one documented for production add-ins). */
const OFFICE_JS_CDN_URL = 'https://appsforoffice.microsoft.com/lib/1/hosted/office.js';

/**
 * The files office.js loads for Outlook, copied when self-hosted: the loader, the Outlook host scripts it picks by
 * platform (`OSF.HostSpecificFileVersionMap`: web 16.01, Mac 16.00, Windows up to 16.02), the zh-TW and en-US strings
 * (en-US is also its fallback for other languages) and the telemetry sink it loads once ready. The package is 86 MB;
 * this is about 1.5 MB of it.
 */
const OFFICE_JS_FILES = [
  'office.js',
  // What office.js loads first when no host information is found (a page opened outside Office, the desktop's
  // first load): without it Office.onReady never settles there.
  'o15apptofilemappingtable.js',
  'outlook-web-16.01.js',
  'outlook-mac-16.00.js',
  'outlook-win32-16.00.js',
  'outlook-win32-16.01.js',
  'outlook-win32-16.02.js',
  'en-us/office_strings.js',
  'en-us/outlook_strings.js',
  'zh-tw/office_strings.js',
  'zh-tw/outlook_strings.js',
  'telemetry/oteljs_agave.js',
];

/**
 * The build's office.js settings from the environment: `OFFICE_JS` is `cdn` (the default) or `self`;
 * `MICROSOFT_AJAX_JS` is a local copy of MicrosoftAjax.js to serve beside it (Outlook's host files fetch it from
 * ajax.aspnetcdn.com unless it is already loaded), whichever way office.js comes.
 * @param {Record<string, string | undefined>} env
 * @returns {{ selfHosted: boolean, microsoftAjax: string }}
 */
function officeJsOptions(env) {
  const value = (env.OFFICE_JS || 'cdn').trim().toLowerCase();
  if (value !== 'cdn' && value !== 'self') {
    throw new Error(
      `OFFICE_JS must be "cdn" (the default: Microsoft's CDN) or "self" (copied into dist/vendor/office-js), not "${env.OFFICE_JS}"`,
    );
  }
  return { selfHosted: value === 'self', microsoftAjax: env.MICROSOFT_AJAX_JS || '' };
}

/**
 * The scripts a page loads before its own, in order: MicrosoftAjax.js when the build has a copy, then office.js.
 * `vendorBase` is how the page reaches dist/vendor/office-js/ (relative or absolute).
 * @param {{ selfHosted: boolean, microsoftAjax: string }} options
 * @param {string} vendorBase
 * @returns {string[]}
 */
function officeJsScripts(options, vendorBase) {
  return [
    ...(options.microsoftAjax ? [`${vendorBase}MicrosoftAjax.js`] : []),
    options.selfHosted ? `${vendorBase}office.js` : OFFICE_JS_CDN_URL,
  ];
}

module.exports = { OFFICE_JS_CDN_URL, OFFICE_JS_FILES, officeJsOptions, officeJsScripts };
