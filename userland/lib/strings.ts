// String helpers the AssemblyScript standard library lacks or gets wrong: replaceAll, whose
// String#replaceAll overruns its buffer when the text grows past twice its length (AS 0.28).

/** text with every occurrence of search (non-empty) replaced by replacement, left to right. */
export function replaceAll(text: string, search: string, replacement: string): string {
  if (search.length == 0) return text;
  let at = text.indexOf(search);
  if (at < 0) return text;
  const parts = new Array<string>();
  let from = 0;
  while (at >= 0) {
    parts.push(text.substring(from, at));
    from = at + search.length;
    at = text.indexOf(search, from);
  }
  parts.push(text.substring(from));
  return parts.join(replacement);
}
