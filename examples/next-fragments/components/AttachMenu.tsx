'use client';

import { type KeyboardEvent, useEffect, useRef } from 'react';

/** One action of the editor's context menu. */
export interface AttachMenuItem {
  label: string;
  onSelect: () => void;
}

interface AttachMenuProps {
  x: number;
  y: number;
  items: AttachMenuItem[];
  onClose: () => void;
}

/**
 * The editor's right-click menu: focus moves to the first item; arrows move, Escape, a click
 * outside or scrolling close it.
 */
export function AttachMenu({ x, y, items, onClose }: AttachMenuProps) {
  const menuRef = useRef<HTMLDivElement>(null);
  const onCloseRef = useRef(onClose);
  useEffect(() => {
    onCloseRef.current = onClose;
  });

  useEffect(() => {
    const menu = menuRef.current;
    menu?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
    const closeOutside = (event: PointerEvent) => {
      if (!menu?.contains(event.target as Node)) onCloseRef.current();
    };
    const close = () => onCloseRef.current();
    document.addEventListener('pointerdown', closeOutside, true);
    window.addEventListener('resize', close);
    window.addEventListener('blur', close);
    return () => {
      document.removeEventListener('pointerdown', closeOutside, true);
      window.removeEventListener('resize', close);
      window.removeEventListener('blur', close);
    };
  }, []);

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    const buttons = [...(menuRef.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
    const index = buttons.indexOf(event.target as HTMLElement);
    if (event.key === 'Escape' || event.key === 'Tab') {
      event.preventDefault();
      onClose();
    } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      buttons[(index + step + buttons.length) % buttons.length]?.focus();
    }
  }

  return (
    <div
      ref={menuRef}
      role="menu"
      aria-label="Code actions"
      className="fk-context-menu"
      style={{ position: 'fixed', left: x, top: y, zIndex: 1000 }}
      onKeyDown={onKeyDown}
      onContextMenu={(event) => event.preventDefault()}
    >
      {items.map((item) => (
        <button
          key={item.label}
          type="button"
          role="menuitem"
          tabIndex={-1}
          className="fk-context-menu-item"
          onClick={() => {
            item.onSelect();
            onClose();
          }}
        >
          {item.label}
        </button>
      ))}
    </div>
  );
}
