/**
 * Translates a path glob into the pattern syntax of `./regex` (matched in
 * linear time). `*` matches within one path segment, `**` across segments
 * (a double star followed by a slash also matches no segment at all, so the
 * glob "/a/" + "**" + "/b" matches "/a/b"), `?` one
 * character other than `/`; everything else is literal. The glob must match
 * the whole path.
 */
export function globToPattern(glob: string): string {
  let pattern = "^";
  for (let i = 0; i < glob.length; i++) {
    const char = glob.charAt(i);
    if (char === "*") {
      if (glob.charAt(i + 1) === "*" && glob.charAt(i + 2) === "/") {
        // Double star + slash is zero or more whole segments.
        pattern += "(?:.*\\/)?";
        i += 2;
      } else if (glob.charAt(i + 1) === "*") {
        pattern += ".*";
        i++;
      } else {
        pattern += "[^/]*";
      }
    } else if (char === "?") {
      pattern += "[^/]";
    } else {
      pattern += /[\\^$.|?*+()[\]{}/-]/.test(char) ? `\\${char}` : char;
    }
  }
  return `${pattern}$`;
}
