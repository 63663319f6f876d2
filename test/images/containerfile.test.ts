// test/images: the Containerfile parser: every instruction form, continuations, comments, and each
// mistake reported as FILE:LINE: message.
import { describe, expect, it } from "vitest";
import { parseContainerfile, type Instruction } from "../../images/containerfile.js";

function parse(text: string, file?: string): Instruction[] {
  return parseContainerfile(text, file).instructions;
}

describe("Containerfile parser", () => {
  it("reads every supported instruction and both command forms", () => {
    const ins = parse(
      [
        "# a comment",
        "ARG BASE=scratch",
        "FROM $BASE",
        "COPY --chown=1:2 a b /dst/",
        'COPY ["with space", "/x/"]',
        "ADD archive.tar /opt/",
        'ENV A=1 B="two words"',
        "ENV LEGACY value with spaces",
        "ARG V=1 W",
        "WORKDIR /app",
        'ENTRYPOINT ["/bin/app", "--flag"]',
        "CMD echo hi",
        'LABEL "org.example"=yes version=1',
        "EXPOSE 80 53/udp",
        "USER 1000:1000",
        "RUN touch x && \\",
        "  # comment inside a continuation",
        "    rm y",
        "RUN [ -f x ] && echo yes",
      ].join("\n"),
    );
    expect(ins.map((i) => i.keyword)).toEqual(["ARG", "FROM", "COPY", "COPY", "ADD", "ENV", "ENV", "ARG", "WORKDIR", "ENTRYPOINT", "CMD", "LABEL", "EXPOSE", "USER", "RUN", "RUN"]);
    expect(ins[2]).toMatchObject({ sources: ["a", "b"], dest: "/dst/", chown: "1:2", line: 4 });
    expect(ins[3]).toMatchObject({ sources: ["with\\ space"], dest: "/x/" });
    expect(ins[5]).toMatchObject({ pairs: [{ key: "A", value: "1" }, { key: "B", value: '"two words"' }] });
    expect(ins[6]).toMatchObject({ pairs: [{ key: "LEGACY", value: "value with spaces" }] });
    expect(ins[7]).toMatchObject({ args: [{ name: "V", defaultValue: "1" }, { name: "W" }] });
    expect(ins[9]).toMatchObject({ command: { exec: ["/bin/app", "--flag"] } });
    expect(ins[10]).toMatchObject({ command: { shell: "echo hi" } });
    expect(ins[14]).toMatchObject({ line: 16, command: { shell: "touch x &&     rm y" } });
    expect(ins[15]).toMatchObject({ command: { shell: "[ -f x ] && echo yes" } });
  });

  it("honours the escape directive", () => {
    const ins = parse("# escape=`\nFROM scratch\nRUN echo a `\n  b");
    expect(ins[1]).toMatchObject({ command: { shell: "echo a   b" } });
  });

  it.each([
    ["FROM scratch\nFOO bar", "Containerfile:2: unknown instruction: FOO"],
    ["COPY a /b", "Containerfile:1: no FROM instruction"],
    ["", "Containerfile:1: the file has no instructions"],
    ["FROM scratch AS a\nFROM scratch AS A", "Containerfile:2: FROM ... AS a: duplicate stage name (first used on line 1)"],
    ["FROM scratch AS 1st", "Containerfile:1: FROM ... AS 1st: invalid stage name"],
    ["FROM scratch\n\nCOPY onlyone", "Containerfile:3: COPY requires at least two arguments"],
    ['FROM scratch\nCMD ["a" "b"]', "Containerfile:2: CMD: invalid JSON array"],
    ['FROM scratch\nENV A="unterminated', "Containerfile:2: ENV: unterminated double quote"],
    ["FROM scratch\nENV ONLYKEY", "Containerfile:2: ENV ONLYKEY needs a value"],
    ["FROM scratch\nADD --from=build a b", "Containerfile:2: ADD --from is not supported: use COPY --from=STAGE"],
    ["FROM scratch\nCOPY --from= a b", "Containerfile:2: COPY --from needs a stage name"],
    ["FROM scratch\nCOPY --bogus=1 a b", "Containerfile:2: COPY: unknown flag --bogus"],
    ["FROM scratch\nARG 9bad", 'Containerfile:2: ARG: invalid name "9bad"'],
    ["FROM scratch\nHEALTHCHECK --every=1s CMD true", "Containerfile:2: HEALTHCHECK: unknown flag --every"],
    ["FROM scratch\nHEALTHCHECK --interval CMD true", "Containerfile:2: HEALTHCHECK --interval needs a value"],
    ["FROM scratch\nHEALTHCHECK true", 'Containerfile:2: HEALTHCHECK: expected CMD or NONE, got "true"'],
    ["FROM scratch\nHEALTHCHECK CMD", "Containerfile:2: HEALTHCHECK CMD requires a command"],
    ["FROM scratch\nRUN", "Containerfile:2: RUN requires at least one argument"],
  ])("reports %j as %s", (text, message) => {
    expect(() => parse(text)).toThrow(message);
  });

  it("reads stages, COPY --from and HEALTHCHECK in both forms", () => {
    const ins = parse(
      [
        "FROM base AS Build",
        "RUN make",
        "FROM scratch",
        "COPY --from=build --chmod=755 /out/app /app",
        "COPY --from=0 /etc/passwd /etc/",
        "HEALTHCHECK --interval=5s --timeout=2s --start-period=1s --retries=4 CMD test -f /tmp/ok",
        'HEALTHCHECK CMD ["/bin/check", "--quick"]',
        "HEALTHCHECK none",
      ].join("\n"),
    );
    expect(ins[0]).toMatchObject({ keyword: "FROM", image: "base", alias: "build" });
    expect(ins[2]).toMatchObject({ keyword: "FROM", image: "scratch" });
    expect(ins[2]).not.toHaveProperty("alias");
    expect(ins[3]).toMatchObject({ sources: ["/out/app"], dest: "/app", from: "build", chmod: "755" });
    expect(ins[4]).toMatchObject({ from: "0" });
    expect(ins[5]).toMatchObject({ check: { interval: "5s", timeout: "2s", startPeriod: "1s", retries: "4", command: { shell: "test -f /tmp/ok" } } });
    expect(ins[6]).toMatchObject({ check: { command: { exec: ["/bin/check", "--quick"] } } });
    expect(ins[7]).toMatchObject({ check: { none: true } });
  });

  it("names the file given with -f in errors", () => {
    expect(() => parse("FROM scratch\nBOGUS", "ci/App.containerfile")).toThrow("ci/App.containerfile:2: unknown instruction: BOGUS");
  });
});
