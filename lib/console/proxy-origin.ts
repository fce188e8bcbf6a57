/**
 * The header in which `cpe console --aws`'s signing proxy names the origin the browser sees
 * (`http://127.0.0.1:<port>`), signed with the rest of the request. The console (behind AWS_IAM, where only
 * signed requests arrive) accepts a form whose Origin is that one: the browser's own Origin and Sec-Fetch-Site
 * still reach it untouched, so a page of another site is refused as it is locally.
 */
export const PROXY_ORIGIN_HEADER = "x-cpe-console-origin";
