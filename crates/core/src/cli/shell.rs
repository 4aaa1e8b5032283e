//! The console's small shell: words with POSIX quoting, `;` between commands, and `$(...)`
//! command substitution, so `docker rmi -f $(docker images -qa)` works as in a terminal.
//!
//! Parsing and expansion are separate: [`parse`] turns a line into commands whose words may
//! hold substitutions; [`expand`] runs each substitution through a callback (the console runs
//! it as a command and gives back its output) and splits unquoted results on whitespace.

/// The longest line the console takes.
pub const MAX_LINE: usize = 4 << 20;
/// How deep `$(...)` may nest.
const MAX_DEPTH: usize = 8;

/// A piece of a word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Literal text.
    Text(String),
    /// `$(...)`: the commands inside, and whether the substitution sat in double quotes (then
    /// its output stays one word).
    Substitution {
        /// The commands to run.
        commands: Vec<Command>,
        /// In double quotes.
        quoted: bool,
    },
}

/// A word before expansion: parts written next to each other (`a"b"$(c)`).
pub type Word = Vec<Part>;

/// One command: its words.
pub type Command = Vec<Word>;

/// Why a line could not be parsed (bash's wording).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShellError {
    /// A quote or `$(` was not closed.
    #[error("unexpected EOF while looking for matching `{0}'")]
    Unterminated(char),
    /// A `)` with no `$(`.
    #[error("syntax error near unexpected token `)'")]
    UnexpectedParen,
    /// Over [`MAX_LINE`] bytes.
    #[error("the command line is over {MAX_LINE} bytes")]
    TooLong,
    /// `$(` nested past [`MAX_DEPTH`].
    #[error("command substitutions nest more than {MAX_DEPTH} deep")]
    TooDeep,
}

/// Parses a line into its commands (empty commands, as in `a;;b`, are dropped).
///
/// # Errors
/// [`ShellError`] for unbalanced quotes or parentheses, or a line that is too long.
pub fn parse(line: &str) -> Result<Vec<Command>, ShellError> {
    if line.len() > MAX_LINE {
        return Err(ShellError::TooLong);
    }
    let mut chars = line.chars().peekable();
    let commands = parse_commands(&mut chars, 0)?;
    match chars.next() {
        Some(')') => Err(ShellError::UnexpectedParen),
        _ => Ok(commands),
    }
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

/// Commands up to the end of input, or up to (not past) a `)` when inside `$(`.
fn parse_commands(chars: &mut Chars<'_>, depth: usize) -> Result<Vec<Command>, ShellError> {
    let mut commands = Vec::new();
    let mut command: Command = Vec::new();
    let mut word: Word = Vec::new();
    let mut in_word = false;
    let finish_word = |word: &mut Word, command: &mut Command, in_word: &mut bool| {
        if *in_word {
            command.push(std::mem::take(word));
            *in_word = false;
        }
    };
    while let Some(&c) = chars.peek() {
        match c {
            ')' if depth > 0 => break,
            ')' => return Err(ShellError::UnexpectedParen),
            c if c.is_whitespace() => {
                chars.next();
                finish_word(&mut word, &mut command, &mut in_word);
            }
            ';' => {
                chars.next();
                finish_word(&mut word, &mut command, &mut in_word);
                if !command.is_empty() {
                    commands.push(std::mem::take(&mut command));
                }
            }
            '\'' => {
                chars.next();
                in_word = true;
                let mut text = String::new();
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => text.push(c),
                        None => return Err(ShellError::Unterminated('\'')),
                    }
                }
                push_text(&mut word, &text);
            }
            '"' => {
                chars.next();
                in_word = true;
                parse_double_quoted(chars, &mut word, depth)?;
            }
            '\\' => {
                chars.next();
                in_word = true;
                if let Some(next) = chars.next() {
                    if next != '\n' {
                        push_text(&mut word, &next.to_string());
                    }
                }
            }
            '$' => {
                chars.next();
                in_word = true;
                if chars.peek() == Some(&'(') {
                    chars.next();
                    word.push(substitution(chars, depth, false)?);
                } else {
                    push_text(&mut word, "$");
                }
            }
            c => {
                chars.next();
                in_word = true;
                push_text(&mut word, &c.to_string());
            }
        }
    }
    finish_word(&mut word, &mut command, &mut in_word);
    if !command.is_empty() {
        commands.push(command);
    }
    Ok(commands)
}

/// After `$(`: the commands inside and the closing `)`.
fn substitution(chars: &mut Chars<'_>, depth: usize, quoted: bool) -> Result<Part, ShellError> {
    if depth + 1 > MAX_DEPTH {
        return Err(ShellError::TooDeep);
    }
    let commands = parse_commands(chars, depth + 1)?;
    match chars.next() {
        Some(')') => Ok(Part::Substitution { commands, quoted }),
        _ => Err(ShellError::Unterminated(')')),
    }
}

/// After `"`: up to the closing `"`; `\` escapes only `"`, `\`, `$` and a newline, as in sh.
fn parse_double_quoted(chars: &mut Chars<'_>, word: &mut Word, depth: usize) -> Result<(), ShellError> {
    // An empty "" is still a word.
    push_text(word, "");
    loop {
        match chars.next() {
            Some('"') => return Ok(()),
            Some('\\') => match chars.next() {
                Some(c @ ('"' | '\\' | '$')) => push_text(word, &c.to_string()),
                Some('\n') => {}
                Some(c) => push_text(word, &format!("\\{c}")),
                None => return Err(ShellError::Unterminated('"')),
            },
            Some('$') if chars.peek() == Some(&'(') => {
                chars.next();
                word.push(substitution(chars, depth, true)?);
            }
            Some(c) => push_text(word, &c.to_string()),
            None => return Err(ShellError::Unterminated('"')),
        }
    }
}

fn push_text(word: &mut Word, text: &str) {
    match word.last_mut() {
        Some(Part::Text(t)) => t.push_str(text),
        _ => word.push(Part::Text(text.to_owned())),
    }
}

/// Expands a command's words into arguments: each substitution's commands are handed to `run`,
/// which returns their output; unquoted output is split on whitespace (no globbing), quoted
/// output loses its trailing newlines and stays in its word.
pub fn expand(command: &Command, run: &mut dyn FnMut(&[Command]) -> String) -> Vec<String> {
    let mut args = Vec::new();
    for word in command {
        // `current` is the argument being built; `None` when an unquoted substitution split it
        // and nothing has followed yet.
        let mut current: Option<String> = None;
        for part in word {
            match part {
                Part::Text(t) => current.get_or_insert_with(String::new).push_str(t),
                Part::Substitution { commands, quoted: true } => {
                    let out = run(commands);
                    current.get_or_insert_with(String::new).push_str(out.trim_end_matches('\n'));
                }
                Part::Substitution { commands, quoted: false } => {
                    let out = run(commands);
                    let mut fields = out.split_whitespace();
                    if let Some(first) = fields.next() {
                        current.get_or_insert_with(String::new).push_str(first);
                        for field in fields {
                            args.extend(current.take());
                            current = Some(field.to_owned());
                        }
                    }
                }
            }
        }
        args.extend(current);
    }
    args
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stand-in for running commands: prints their expanded words, one per line.
    fn echo(commands: &[Command]) -> String {
        commands.iter().flat_map(|c| expand(c, &mut echo)).map(|w| w + "\n").collect()
    }

    fn words(line: &str) -> Result<Vec<Vec<String>>, ShellError> {
        Ok(parse(line)?.iter().map(|c| expand(c, &mut echo)).collect())
    }

    #[test]
    fn quotes_and_separators_as_sh_reads_them() -> Result<(), ShellError> {
        assert_eq!(words(r#"docker inspect -f '{{.Os}} {{.Architecture}}' busybox"#)?, [vec!["docker", "inspect", "-f", "{{.Os}} {{.Architecture}}", "busybox"]]);
        assert_eq!(words(r#"echo "a \"b\" \n" c\ d '' """#)?, [vec!["echo", "a \"b\" \\n", "c d", "", ""]]);
        assert_eq!(words("docker images; ; docker ps -a")?, [vec!["docker", "images"], vec!["docker", "ps", "-a"]]);
        assert_eq!(words("  ")?, Vec::<Vec<String>>::new());
        Ok(())
    }

    #[test]
    fn substitutions_split_unless_quoted() -> Result<(), ShellError> {
        assert_eq!(words("docker rmi -f $(x a b c)")?, [vec!["docker", "rmi", "-f", "x", "a", "b", "c"]]);
        assert_eq!(words(r#"say "$(x a b)""#)?, [vec!["say", "x\na\nb"]]);
        assert_eq!(words("pre$(x)post")?, [vec!["prexpost"]]);
        assert_eq!(words("a $(x $(y z))")?, [vec!["a", "x", "y", "z"]]);
        assert_eq!(words("a $()")?, [vec!["a"]]);
        Ok(())
    }

    #[test]
    fn a_one_megabyte_line_and_noise_never_panic() -> Result<(), ShellError> {
        let long = format!("docker inspect {}", "x".repeat(1 << 20));
        assert_eq!(words(&long)?[0][2].len(), 1 << 20);
        // Every prefix of a line full of quoting mixes: an error or words, never a panic.
        let noisy = r#"a 'b"c' "d$(e 'f)' g)" \ $( ; ) "$(h "i" $(j))" 'k"#;
        for end in (0..=noisy.len()).filter(|i| noisy.is_char_boundary(*i)) {
            let _ = words(&noisy[..end]);
        }
        Ok(())
    }

    #[test]
    fn broken_lines_get_bash_messages() {
        assert_eq!(parse("echo 'open").map(|_| ()), Err(ShellError::Unterminated('\'')));
        assert_eq!(parse("echo \"open").map(|_| ()), Err(ShellError::Unterminated('"')));
        assert_eq!(parse("echo $(docker images").map(|_| ()), Err(ShellError::Unterminated(')')));
        assert_eq!(parse("echo )").map(|_| ()), Err(ShellError::UnexpectedParen));
        assert_eq!(parse(&"$(".repeat(20)).map(|_| ()), Err(ShellError::TooDeep));
        assert_eq!(parse(&"x".repeat(MAX_LINE + 1)).map(|_| ()), Err(ShellError::TooLong));
        assert_eq!(ShellError::Unterminated('\'').to_string(), "unexpected EOF while looking for matching `''");
    }
}
