import '@fragmentkit/react/styles.css';
import './globals.css';
import type { Metadata } from 'next';
import type { ReactNode } from 'react';

export const metadata: Metadata = {
  title: 'fragmentkit · Next.js',
  description: 'Chat, attach code as context, and see the generated fragment live: the fragmentkit reference app.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
