/** A parsed keyboard shortcut such as `Mod+Shift+L`. */
interface Shortcut {
  key: string;
  mod: boolean;
  shift: boolean;
  alt: boolean;
}

/**
 * Parses `Mod+Shift+L`-style shortcuts. `Mod` is Cmd or Ctrl, so one default works on every
 * platform without sniffing it during render.
 */
export function parseShortcut(text: string): Shortcut {
  const parts = text.split('+').map((part) => part.trim().toLowerCase());
  const key = parts.pop() ?? '';
  return {
    key,
    mod: parts.some(
      (part) => part === 'mod' || part === 'ctrl' || part === 'control' || part === 'meta' || part === 'cmd',
    ),
    shift: parts.includes('shift'),
    alt: parts.includes('alt') || parts.includes('option'),
  };
}

export function matchesShortcut(event: KeyboardEvent, shortcut: Shortcut): boolean {
  if ((event.metaKey || event.ctrlKey) !== shortcut.mod) return false;
  if (event.shiftKey !== shortcut.shift || event.altKey !== shortcut.alt) return false;
  if (event.key.toLowerCase() === shortcut.key) return true;
  // Layouts that do not type Latin letters still report the physical key in `code`.
  return shortcut.key.length === 1 && event.code.toLowerCase() === `key${shortcut.key}`;
}
