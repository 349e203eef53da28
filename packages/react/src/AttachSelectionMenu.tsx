import { type KeyboardEvent, useEffect, useRef } from 'react';
import { createPortal } from 'react-dom';

interface AttachSelectionMenuProps {
  /** Viewport coordinates of the pointer (or of the code view for keyboard-opened menus). */
  x: number;
  y: number;
  /** Label of the attach item, e.g. `Attach lines 3–5`. */
  label: string;
  onAttach: () => void;
  onClose: () => void;
}

const itemSelector = '[role="menuitem"]';

/**
 * The right-click menu of `CodeView`, following the WAI-ARIA menu pattern: focus moves to the
 * first item, arrows move between items, Escape, Tab or a click outside close it and focus
 * returns where it was.
 */
export function AttachSelectionMenu({ x, y, label, onAttach, onClose }: AttachSelectionMenuProps) {
  const menuRef = useRef<HTMLDivElement>(null);
  const previouslyFocusedRef = useRef<Element | null>(null);
  const onCloseRef = useRef(onClose);
  useEffect(() => {
    onCloseRef.current = onClose;
  });

  useEffect(() => {
    const menu = menuRef.current;
    if (!menu) return;
    const document = menu.ownerDocument;
    previouslyFocusedRef.current = document.activeElement;
    menu.querySelector<HTMLElement>(itemSelector)?.focus();
    const closeOnOutsidePointer = (event: PointerEvent) => {
      if (!menu.contains(event.target as Node)) onCloseRef.current();
    };
    const close = () => onCloseRef.current();
    document.addEventListener('pointerdown', closeOnOutsidePointer, true);
    document.addEventListener('scroll', close, true);
    document.defaultView?.addEventListener('resize', close);
    document.defaultView?.addEventListener('blur', close);
    return () => {
      document.removeEventListener('pointerdown', closeOnOutsidePointer, true);
      document.removeEventListener('scroll', close, true);
      document.defaultView?.removeEventListener('resize', close);
      document.defaultView?.removeEventListener('blur', close);
    };
  }, []);

  /** Hands focus back before the menu unmounts; a click outside moves focus itself. */
  function restoreFocus() {
    const previouslyFocused = previouslyFocusedRef.current;
    if (previouslyFocused instanceof HTMLElement && previouslyFocused.isConnected) previouslyFocused.focus();
  }

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    const items = [...(menuRef.current?.querySelectorAll<HTMLElement>(itemSelector) ?? [])];
    const index = items.indexOf(event.target as HTMLElement);
    const focusAt = (next: number) => items[(next + items.length) % items.length]?.focus();
    switch (event.key) {
      case 'Escape':
      case 'Tab':
        event.preventDefault();
        restoreFocus();
        onClose();
        return;
      case 'ArrowDown':
        event.preventDefault();
        focusAt(index + 1);
        return;
      case 'ArrowUp':
        event.preventDefault();
        focusAt(index - 1);
        return;
      case 'Home':
        event.preventDefault();
        focusAt(0);
        return;
      case 'End':
        event.preventDefault();
        focusAt(items.length - 1);
        return;
    }
  }

  return createPortal(
    <div
      ref={menuRef}
      role="menu"
      aria-label="Code actions"
      className="fk-context-menu"
      style={{ position: 'fixed', left: x, top: y, zIndex: 1000 }}
      onKeyDown={onKeyDown}
      onContextMenu={(event) => event.preventDefault()}
    >
      <button
        type="button"
        role="menuitem"
        tabIndex={-1}
        className="fk-context-menu-item"
        onClick={() => {
          restoreFocus();
          onAttach();
        }}
      >
        {label}
      </button>
    </div>,
    document.body,
  );
}
