import { checkFragment, FragmentkitError } from '@fragmentkit/core';
import type { SandboxConfig, SandboxRunRequest } from './sandboxConfig.js';

/**
 * Refuses, with a 403 `FORBIDDEN` whose `details.reason` names the rule, a run the host's
 * policy does not allow: a template outside `policy.templates`, static-check findings under
 * `policy.checks.policy: 'block'` (an unsafe file path or dependency under any policy), or a
 * refusal of `policy.authorize`.
 *
 * @example
 * ```ts
 * await enforceSandboxPolicy(config, { fragment, caller: auth }); // throws FORBIDDEN when refused
 * ```
 */
export async function enforceSandboxPolicy(config: SandboxConfig, run: SandboxRunRequest): Promise<void> {
  const policy = config.policy ?? {};
  const { template } = run.fragment;
  if (policy.templates && !policy.templates.includes(template)) {
    throw new FragmentkitError('FORBIDDEN', `This server does not run ${template} fragments in a sandbox.`, {
      details: { reason: 'template', template, allowed: [...policy.templates] },
    });
  }
  const report = checkFragment(run.fragment, policy.checks);
  if (report.blocked) {
    const errors = report.findings.filter((finding) => finding.severity === 'error');
    throw new FragmentkitError(
      'FORBIDDEN',
      `The server's static-check policy refuses to run this fragment: ${errors.map((finding) => finding.message).join(' ')}`,
      { details: { reason: 'static-checks', findings: report.findings } },
    );
  }
  const refusal = await policy.authorize?.(run);
  if (typeof refusal === 'string') {
    throw new FragmentkitError('FORBIDDEN', refusal, { details: { reason: 'policy' } });
  }
}
