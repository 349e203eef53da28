// The instrumented "app" of the incidents demo. It ships minified in the production build; the
// page uploads the build's source map, so the server maps the failing frame back to this file.

export interface Cart {
  total: number;
  discounts: Record<string, { amount: number }>;
}

export function applyDiscount(cart: Cart, code: string): number {
  const rule = cart.discounts[code] as { amount: number };
  return cart.total - rule.amount;
}

/** Checks out with a discount code the cart does not have: throws a TypeError. */
export function submitCheckout(cart: Cart): number {
  return applyDiscount(cart, 'SPRING');
}
