/**
 * The first `k` of the items 0..count-1 in `compare` order, sorted. A page of 50 out of 5,000
 * matches does not need the other 4,950 sorted: a bounded heap keeps the best `k` seen so far
 * in O(count · log k), and most items are turned away by one comparison with its root.
 */
export function topK(count: number, k: number, compare: (a: number, b: number) => number): number[] {
  if (k <= 0) return [];
  if (k >= count) return Array.from({ length: count }, (_, i) => i).sort(compare);
  // A heap whose root is the worst item kept: a parent never ranks before its children.
  const heap: number[] = [];
  const worse = (i: number, j: number) => compare(heap[i]!, heap[j]!) > 0;
  const siftDown = (i: number) => {
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let worst = i;
      if (left < heap.length && worse(left, worst)) worst = left;
      if (right < heap.length && worse(right, worst)) worst = right;
      if (worst === i) return;
      [heap[i], heap[worst]] = [heap[worst]!, heap[i]!];
      i = worst;
    }
  };
  for (let item = 0; item < count; item++) {
    if (heap.length < k) {
      heap.push(item);
      for (let i = heap.length - 1; i > 0 && worse(i, (i - 1) >> 1); i = (i - 1) >> 1) {
        const parent = (i - 1) >> 1;
        [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      }
    } else if (compare(item, heap[0]!) < 0) {
      heap[0] = item;
      siftDown(0);
    }
  }
  return heap.sort(compare);
}
