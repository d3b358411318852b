import type { ReactNode } from 'react'
import { FORMAT_INFO, IMPORT_FORMATS, type ImportFormat } from '@/lib/sources/schemas'

// What each import format is and how to produce it, on the page itself (the full reference for developers is
// docs/import-format.md; people importing should not need the repository).

const Cmd = ({ children }: { children: string }) => (
  <pre className="mt-1 overflow-x-auto rounded-md bg-slate-900 px-3 py-2 font-mono text-xs text-slate-100">
    <code>{children}</code>
  </pre>
)

const GENERIC_COLUMNS: [string, string][] = [
  ['external_id', 'the source’s own id, unique per source (or name)'],
  ['name', 'display name'],
  ['kind', 'service_account, api_key, oauth_app, bot, ci_cd, workload, ai_agent, certificate or other'],
  ['environment', 'production, staging, development, test or unknown'],
  ['owner_email', 'the owner, when they are a member here'],
  ['created_at, last_used_at', 'ISO 8601 dates; an empty last_used_at means unknown, the word never means never used'],
  ['credential_kind, credential_id', 'one credential per row, by its id — never the secret itself'],
  ['resource, permission, privileged', 'one grant per row: what it can reach'],
  ['tags', 'key=value pairs separated by ;'],
]

const GUIDE: Record<ImportFormat, { what: ReactNode; how: ReactNode }> = {
  generic_csv: {
    what: (
      <>
        <p>
          UTF-8 CSV with a header row. Only <em>external_id</em> or <em>name</em> is required; unknown columns are ignored. An identity with several credentials
          or grants takes several rows with the same external id.
        </p>
        <table className="mt-2 w-full text-left text-xs">
          <caption className="sr-only">Generic CSV columns</caption>
          <thead className="text-slate-600">
            <tr>
              <th scope="col" className="py-1 pr-3 font-semibold">
                Column
              </th>
              <th scope="col" className="py-1 font-semibold">
                Meaning
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {GENERIC_COLUMNS.map(([c, m]) => (
              <tr key={c}>
                <td className="py-1 pr-3 font-mono whitespace-nowrap text-slate-800">{c}</td>
                <td className="py-1 text-slate-700">{m}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </>
    ),
    how: <p>Export from your own system or spreadsheet with these columns.</p>,
  },
  generic_json: {
    what: (
      <p>
        An array of objects with the generic CSV’s field names (or an object with an <em>identities</em> array); tags may be an object and privileged a boolean.
      </p>
    ),
    how: <p>Produce it from your own tooling; up to 50 MB per file.</p>,
  },
  aws_credential_report: {
    what: (
      <p>
        The IAM credential report of one AWS account, as AWS writes it. Each IAM user becomes an identity identified by its ARN; its access keys, console
        password and signing certificates become credentials (never the secrets). The account’s root user is imported and flagged critical; users who are people
        (a console password with MFA and no keys) are left out, and the preview lists them.
      </p>
    ),
    how: <Cmd>{'aws iam generate-credential-report\naws iam get-credential-report --query Content --output text | base64 -d > report.csv'}</Cmd>,
  },
  kubernetes: {
    what: (
      <p>
        Service accounts, their token secrets (the secret values are never read), roles and bindings of one cluster. Owners come from the{' '}
        <em>custodian.io/owner</em> annotation.
      </p>
    ),
    how: <Cmd>{'kubectl get serviceaccounts,secrets,roles,rolebindings,clusterroles,clusterrolebindings -A -o json > cluster.json'}</Cmd>,
  },
  github: {
    what: (
      <p>A JSON bundle of what the GitHub REST API returns for one organization: app installations, deploy keys and fine-grained personal access tokens.</p>
    ),
    how: (
      <p>
        Collect <em>GET /orgs/&#123;org&#125;/installations</em>, <em>GET /repos/&#123;owner&#125;/&#123;repo&#125;/keys</em> for each repository and{' '}
        <em>GET /orgs/&#123;org&#125;/personal-access-tokens</em> into one document with the keys installations, deploy_keys and personal_access_tokens.
      </p>
    ),
  },
}

/** The formats Custodian reads, each with what it holds and how to produce it. */
export function FormatGuide({ current }: { current?: ImportFormat }) {
  return (
    <section aria-labelledby="format-guide" className="mt-6 rounded-lg border border-slate-200 bg-white p-4 text-sm text-slate-700 shadow-xs">
      <h2 id="format-guide" className="text-sm font-semibold text-slate-900">
        Formats Custodian reads
      </h2>
      <p className="mt-1 text-slate-600">
        Files are read by the job worker, never by the web server; a row that cannot be read is reported with its line number. CSV files may be up to 2 GB, JSON
        up to 50 MB.
      </p>
      <div className="mt-3 divide-y divide-slate-100">
        {IMPORT_FORMATS.map((f) => (
          <details key={f} open={f === current} className="group py-2">
            <summary className="cursor-pointer font-medium text-slate-900 marker:text-slate-500">{FORMAT_INFO[f].label}</summary>
            <div className="mt-2 space-y-2 pl-4">
              {GUIDE[f].what}
              <div>
                <p className="text-xs font-semibold tracking-wide text-slate-600 uppercase">How to produce it</p>
                {GUIDE[f].how}
              </div>
            </div>
          </details>
        ))}
      </div>
    </section>
  )
}
