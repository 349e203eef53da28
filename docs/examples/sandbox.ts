// #region e2b
import { type Fragment, runFragment } from '@fragmentkit/core';
import { createE2BSandboxProvider } from '@fragmentkit/core/e2b';

const e2b = createE2BSandboxProvider({
  apiKey: process.env.E2B_API_KEY,
  pool: { size: { 'nextjs-developer': 2 } }, // warm sandboxes, so a preview starts in seconds
});
void e2b.warm();
// #endregion

export async function preview(
  fragment: Fragment,
  { conversationId, userId, teamId }: { conversationId: string; userId: string; teamId: string },
  showPreview: (url: string) => void,
): Promise<void> {
  // #region e2b
  const result = await runFragment(e2b, fragment, { conversationId, userId, teamId });
  if (result.status === 'serving' && result.url) showPreview(result.url); // e.g. <FragmentPreview url={result.url} />
  // #endregion
}
