/**
 * Deterministic demo data shared by the example upstreams.
 *
 * Everything here is computed once at module load from fixed tables, so every
 * process (tests, benchmarks, docker containers) sees exactly the same data.
 */

export interface User {
  id: string;
  name: string;
  email: string;
}

export type Stock = 'in_stock' | 'low' | 'out';

export interface Product {
  id: string;
  name: string;
  price: number;
  stock?: Stock;
}

export interface Review {
  id: string;
  body: string;
  rating: number;
  productId: string;
  authorId: string;
}

export type OrderStatus = 'PENDING' | 'PAID' | 'SHIPPED';

export const ORDER_STATUSES: readonly OrderStatus[] = ['PENDING', 'PAID', 'SHIPPED'];
export const STOCK_VALUES: readonly Stock[] = ['in_stock', 'low', 'out'];

export interface OrderItem {
  productId: string;
  quantity: number;
}

export interface Order {
  id: string;
  userId: string;
  total: number;
  status: OrderStatus;
  items: OrderItem[];
}

const USER_NAMES = [
  'Ada Lovelace',
  'Alan Turing',
  'Grace Hopper',
  'Edsger Dijkstra',
  'Barbara Liskov',
  'Donald Knuth',
  'Margaret Hamilton',
  'Ken Thompson',
  'Frances Allen',
  'John McCarthy',
] as const;

export const users: readonly User[] = USER_NAMES.map((name, i) => ({
  id: String(i + 1),
  name,
  email: `${name.split(' ')[0]!.toLowerCase()}@example.com`,
}));

const PRODUCT_TABLE: ReadonlyArray<readonly [name: string, price: number, stock: Stock | undefined]> = [
  ['Mechanical Keyboard', 129.99, 'in_stock'],
  ['Wireless Mouse', 39.5, 'in_stock'],
  ['USB-C Hub', 49, 'low'],
  ['27" Monitor', 329.0, 'in_stock'],
  ['Laptop Stand', 59.95, undefined],
  ['Noise-Cancelling Headphones', 249.99, 'out'],
  ['Webcam HD', 79.99, 'in_stock'],
  ['Desk Lamp', 34.25, 'low'],
  ['Ergonomic Chair', 499, 'in_stock'],
  ['Standing Desk', 649.5, undefined],
  ['Cable Organizer', 12.99, 'in_stock'],
  ['Portable SSD 1TB', 119.0, 'in_stock'],
  ['Bluetooth Speaker', 89.9, 'out'],
  ['Mouse Pad XL', 24.99, 'in_stock'],
  ['Microphone', 149.0, 'low'],
  ['Docking Station', 219.99, undefined],
  ['Graphics Tablet', 199.0, 'in_stock'],
  ['Phone Charger', 19.99, 'in_stock'],
  ['Smart Plug', 14.5, 'low'],
  ['Notebook', 4.75, undefined],
];

export const products: readonly Product[] = PRODUCT_TABLE.map(([name, price, stock], i) => {
  const product: Product = { id: `p${i + 1}`, name, price };
  if (stock !== undefined) product.stock = stock;
  return product;
});

/** Number of reviews per product (index = product index); sums to 40. */
const REVIEWS_PER_PRODUCT = [3, 2, 3, 0, 2, 3, 1, 2, 3, 2, 0, 3, 2, 1, 3, 2, 3, 1, 2, 2] as const;

const REVIEW_PHRASES = [
  'Exactly what I needed:',
  'Does the job, nothing more:',
  'Would buy again:',
  'Arrived quickly and works well:',
  'Not worth the price:',
  'Solid build quality:',
  'Better than expected:',
  'Returned it after a week:',
  'Great value for money:',
  'My favourite purchase this year:',
  'Decent, with a few quirks:',
];

export const reviews: readonly Review[] = (() => {
  const out: Review[] = [];
  products.forEach((product, i) => {
    const count = REVIEWS_PER_PRODUCT[i] ?? 0;
    for (let k = 0; k < count; k++) {
      const n = out.length;
      out.push({
        id: `r${n + 1}`,
        body: `${REVIEW_PHRASES[n % REVIEW_PHRASES.length]} ${product.name}.`,
        rating: ((i + k * 2) % 5) + 1,
        productId: product.id,
        authorId: String(((i * 3 + k * 7) % 10) + 1),
      });
    }
  });
  return out;
})();

export const usersById: ReadonlyMap<string, User> = new Map(users.map((u) => [u.id, u]));
export const productsById: ReadonlyMap<string, Product> = new Map(products.map((p) => [p.id, p]));
export const reviewsById: ReadonlyMap<string, Review> = new Map(reviews.map((r) => [r.id, r]));
export const reviewsByProductId: ReadonlyMap<string, readonly Review[]> = (() => {
  const map = new Map<string, Review[]>();
  for (const p of products) map.set(p.id, []);
  for (const r of reviews) map.get(r.productId)!.push(r);
  return map;
})();

/** Rounds to cents, avoiding binary floating point noise like 0.30000000000000004. */
export function roundMoney(value: number): number {
  return Math.round(value * 100) / 100;
}

/** Sum of price × quantity over the items. Throws on an unknown product id. */
export function computeTotal(items: readonly OrderItem[]): number {
  let cents = 0;
  for (const item of items) {
    const product = productsById.get(item.productId);
    if (!product) throw new Error(`Unknown product "${item.productId}"`);
    cents += Math.round(product.price * 100) * item.quantity;
  }
  return roundMoney(cents / 100);
}

const SEED_ORDER_ITEMS: ReadonlyArray<readonly OrderItem[]> = (() => {
  const list: OrderItem[][] = [
    // user "1": three orders, the first two with several items
    [
      { productId: 'p1', quantity: 1 },
      { productId: 'p2', quantity: 2 },
      { productId: 'p11', quantity: 3 },
    ],
    [
      { productId: 'p4', quantity: 2 },
      { productId: 'p8', quantity: 1 },
      { productId: 'p14', quantity: 1 },
      { productId: 'p20', quantity: 5 },
    ],
    [{ productId: 'p6', quantity: 1 }],
  ];
  for (let j = 3; j < 30; j++) {
    const count = (j % 3) + 1;
    const items: OrderItem[] = [];
    for (let m = 0; m < count; m++) {
      items.push({ productId: `p${((j * 5 + m * 3) % 20) + 1}`, quantity: ((j + m) % 4) + 1 });
    }
    list.push(items);
  }
  return list;
})();

/** Seed orders (30). The orders service copies these per instance so POSTs never leak between servers. */
export const orders: readonly Order[] = SEED_ORDER_ITEMS.map((items, j) => ({
  id: `o${j + 1}`,
  userId: j < 3 ? '1' : String((j % 9) + 2),
  total: computeTotal(items),
  status: ORDER_STATUSES[(j + Math.floor(j / 3)) % 3]!,
  items: items.map((item) => ({ ...item })),
}));
