/**
 * A ZIP archive of text files written chunk by chunk (fflate, deflate level 6): the archive comes
 * out as a list of byte arrays for a Blob, so neither the files nor the archive is ever one string
 * or one buffer. The Worker zips the CSV export this way.
 */
import { strToU8, Zip, ZipDeflate } from 'fflate';

/** One file of the archive: its name and its text in chunks. */
export interface ZipText {
  name: string;
  chunks: Iterable<string>;
}

/** The archive of `files` as byte arrays, in order. */
export function zipTexts(files: readonly ZipText[]): Uint8Array[] {
  const parts: Uint8Array[] = [];
  let failure: Error | null = null;
  const zip = new Zip((error, data) => {
    if (error) failure = error;
    else parts.push(data);
  });
  for (const file of files) {
    const entry = new ZipDeflate(file.name, { level: 6 });
    zip.add(entry);
    for (const chunk of file.chunks) entry.push(strToU8(chunk));
    entry.push(new Uint8Array(0), true);
  }
  zip.end();
  if (failure) throw failure;
  return parts;
}
