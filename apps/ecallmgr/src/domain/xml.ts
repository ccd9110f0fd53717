import { xmlAttr } from './escape.js';

/** A name/value pair as written in `<param>` or `<variable>`. */
export type NameValue = readonly [name: string, value: string];

export interface DialplanAction {
  application: string;
  data?: string;
}

export interface DialplanExtension {
  name: string;
  /** `continue="true"`: FreeSWITCH keeps hunting, so the actions of the next extension run too. */
  continue?: boolean;
  actions: DialplanAction[];
}

export interface DirectoryUser {
  domain: string;
  id: string;
  params: NameValue[];
  variables: NameValue[];
  /** Domain-level params (the `dial-string` that `user/<u>@<d>` dials). */
  domainParams?: NameValue[];
}

const HEADER = '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n';

function document(body: string): string {
  return `${HEADER}<document type="freeswitch/xml">\n${body}</document>\n`;
}

function pairs(tag: 'param' | 'variable', items: readonly NameValue[], indent: string): string {
  return items.map(([n, v]) => `${indent}<${tag} name="${xmlAttr(n)}" value="${xmlAttr(v)}"/>\n`).join('');
}

/** The explicit miss: FreeSWITCH falls back to its static XML (which, as shipped, refuses the request). */
export function notFoundDocument(description = 'Not Found'): string {
  return document(`  <section name="result" description="${xmlAttr(description)}">\n    <result status="not found"/>\n  </section>\n`);
}

export function directoryDocument(user: DirectoryUser): string {
  const domainParams = user.domainParams?.length ? `      <params>\n${pairs('param', user.domainParams, '        ')}      </params>\n` : '';
  const body =
    `  <section name="directory">\n` +
    `    <domain name="${xmlAttr(user.domain)}">\n` +
    domainParams +
    `      <users>\n` +
    `        <user id="${xmlAttr(user.id)}">\n` +
    `          <params>\n${pairs('param', user.params, '            ')}          </params>\n` +
    `          <variables>\n${pairs('variable', user.variables, '            ')}          </variables>\n` +
    `        </user>\n` +
    `      </users>\n` +
    `    </domain>\n` +
    `  </section>\n`;
  return document(body);
}

/**
 * A dialplan answer: the call's own context holding the extensions. Conditions have no field, so they
 * always match and no regex capture (`$1`) substitution touches the data.
 */
export function dialplanDocument(context: string, extensions: DialplanExtension[], description = 'Fife route'): string {
  const rendered = extensions
    .map((ext) => {
      const actions = ext.actions
        .map((a) =>
          a.data === undefined
            ? `          <action application="${xmlAttr(a.application)}"/>\n`
            : `          <action application="${xmlAttr(a.application)}" data="${xmlAttr(a.data)}"/>\n`,
        )
        .join('');
      const cont = ext.continue ? ' continue="true"' : '';
      return `      <extension name="${xmlAttr(ext.name)}"${cont}>\n        <condition>\n${actions}        </condition>\n      </extension>\n`;
    })
    .join('');
  return document(
    `  <section name="dialplan" description="${xmlAttr(description)}">\n    <context name="${xmlAttr(context)}">\n${rendered}    </context>\n  </section>\n`,
  );
}
