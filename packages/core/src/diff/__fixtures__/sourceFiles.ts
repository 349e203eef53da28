/** A small React component, 30 lines, the kind of file patch tasks change. */
export const counterSource = `import { useState } from 'react';

export interface CounterProps {
  start?: number;
  step?: number;
}

export function Counter({ start = 0, step = 1 }: CounterProps) {
  const [count, setCount] = useState(start);

  function increment() {
    setCount((value) => value + step);
  }

  function decrement() {
    setCount((value) => value - step);
  }

  return (
    <div className="counter">
      <button onClick={decrement}>-</button>
      <span>{count}</span>
      <button onClick={increment}>+</button>
    </div>
  );
}

export default Counter;
`;

/** A module with two identical blocks, so a hunk made of them alone has two places to go. */
export const duplicatedBlocks = `export function first(input: string | null) {
  if (input === null) {
    return '';
  }
  return input.trim();
}

export function second(input: string | null) {
  if (input === null) {
    return '';
  }
  return input.toUpperCase();
}
`;
