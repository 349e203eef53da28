// The "app" of the source map test: minified by esbuild into ../minified/checkout.min.js.txt.
interface Cart {
  total: number;
  discounts: Record<string, { amount: number }>;
}

export function applyDiscount(cart: Cart, code: string): number {
  const rule = cart.discounts[code];
  return cart.total - (rule as { amount: number }).amount;
}

export function submitCheckout(cart: Cart): number {
  return applyDiscount(cart, 'SPRING');
}
