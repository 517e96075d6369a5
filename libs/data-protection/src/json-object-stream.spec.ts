import { jsonObjectStream } from './json-object-stream';

const read = async (stream: NodeJS.ReadableStream) => {
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  return text;
};

async function* pages<T>(...list: T[][]): AsyncGenerator<T[]> {
  for (const page of list) yield page;
}

describe('jsonObjectStream', () => {
  it('writes each key in order, a list page by page, as JSON a person can read', async () => {
    const order: string[] = [];
    const text = await read(
      jsonObjectStream([
        ['user', async () => (order.push('user'), { id: 'u', name: 'Ann "A"' })],
        ['entries', () => (order.push('entries'), pages([{ seq: 1 }, { seq: 2 }], [], [{ seq: 3 }]))],
        ['none', () => pages()],
        ['empty', () => pages([])],
        ['comments', async () => []],
      ]),
    );
    expect(order).toEqual(['user', 'entries']);
    expect(JSON.parse(text)).toEqual({ user: { id: 'u', name: 'Ann "A"' }, entries: [{ seq: 1 }, { seq: 2 }, { seq: 3 }], none: [], empty: [], comments: [] });
    expect(text).toBe('{\n  "user": {"id":"u","name":"Ann \\"A\\""},\n  "entries": [\n    {"seq":1},\n    {"seq":2},\n    {"seq":3}\n  ],\n  "none": [],\n  "empty": [],\n  "comments": []\n}\n');
  });

  it('reads a section only when its turn comes, and a page only when the one before is out', async () => {
    let asked = 0;
    async function* counted(): AsyncGenerator<number[]> {
      for (let i = 0; i < 3; i++) {
        asked++;
        yield [i];
      }
    }
    const stream = jsonObjectStream([['n', () => counted()]]);
    expect(asked).toBe(0);
    expect(JSON.parse(await read(stream))).toEqual({ n: [0, 1, 2] });
    expect(asked).toBe(3);
  });

  it('ends with the error when a section fails part way (the file is cut short, not complete-looking)', async () => {
    async function* failing(): AsyncGenerator<number[]> {
      yield [1];
      throw new Error('connection lost');
    }
    await expect(read(jsonObjectStream([['n', () => failing()]]))).rejects.toThrow('connection lost');
  });
});
