/**
 * Every value that reaches FreeSWITCH from a request (user names, numbers, caller names, channel
 * variables) passes through one of these. Three layers can be attacked:
 * - the XML document itself (`<`, `&`, quotes);
 * - FreeSWITCH's variable expansion, which runs on every dialplan action's data: `${...}` and
 *   `$${...}` expand variables and `${api(args)}` *runs an API command* (`system` among them);
 * - the dial-string syntax of `bridge` (`,` `|` `:_:` `{}` `[]` `<>` `^^` quotes).
 */

// Characters XML 1.0 does not allow at all (even escaped): C0 controls except tab, LF, CR.
const XML_FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

/** Text for an XML attribute value (always written with double quotes). */
export function xmlAttr(value: string): string {
  return value
    .replace(XML_FORBIDDEN, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}

const CONTROL = /[\u0000-\u001f\u007f]/g;

/**
 * A value that FreeSWITCH will expand (dialplan action data, channel variables set from it): control
 * characters become spaces and every `$` is dropped, so no `${...}` can be formed. Nothing else changes.
 */
export function inertValue(value: string): string {
  return value.replace(CONTROL, ' ').replace(/\$/g, '');
}

/** Characters with a meaning inside a dial string or its variable blocks. */
const DIAL_META = /[,|[\]{}<>^'"\\!$]|:_:/g;

/**
 * A free-text value for a `{}` / `[]` dial-string variable (caller name, CCV value): metacharacters
 * and `$` become spaces, whitespace collapses; a value with spaces is single-quoted so FreeSWITCH's
 * variable splitter keeps it whole.
 */
export function dialValue(value: string): string {
  let clean = value.replace(CONTROL, ' ');
  // `:_:` may re-form after a removal (`:_$:`), so strip until stable.
  for (let prev = ''; prev !== clean; ) {
    prev = clean;
    clean = clean.replace(DIAL_META, ' ');
  }
  clean = clean.replace(/\s+/g, ' ').trim();
  return /\s/.test(clean) ? `'${clean}'` : clean;
}

/** SIP user parts and numbers we are willing to put into `user/<user>@<realm>` or a SIP URI. */
const SIP_USER = /^[A-Za-z0-9._\-+*#~()]+$/;
/** Host names, IPv4 and bracketed IPv6, with an optional port. */
const SIP_HOST = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.\-]+)(:\d{1,5})?$/;

export function isSafeSipUser(value: string): boolean {
  return value.length > 0 && value.length <= 128 && SIP_USER.test(value);
}

export function isSafeSipHost(value: string): boolean {
  return value.length > 0 && value.length <= 253 && SIP_HOST.test(value);
}

/** Variable names we generate from keys (CCV keys, SIP header names): anything else is skipped. */
const VAR_KEY = /^[A-Za-z0-9_\-]{1,128}$/;

export function isSafeVarKey(key: string): boolean {
  return VAR_KEY.test(key);
}

/**
 * A dial target given verbatim by a whapp (`Invite-Format: route`): it may be a whole dial string
 * (callgroup plans with `,` `|` `:_:` and variable blocks), but never an expansion or a line break.
 */
export function isSafeRawDialString(value: string): boolean {
  return value.length > 0 && value.length <= 8192 && !/[$\u0000-\u001f\u007f"\\]/.test(value);
}
