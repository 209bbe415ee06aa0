"""Splitting a Windows command line into an argument vector, as CommandLineToArgvW does.

Windows passes a process one command line string; each program splits it itself. The
rules below are those of CommandLineToArgvW and the Microsoft C runtime (2008 and later):
argv[0] ends at the first white space, or at the closing quote when it starts with one;
in the other arguments backslashes are literal unless they precede a quote, 2n
backslashes before a quote give n backslashes and toggle quoting, 2n+1 give n backslashes
and a literal quote, and a doubled quote inside a quoted part gives a literal quote.
"""

_WHITESPACE = " \t"


def split_command_line(command_line: str) -> list[str]:
    """Return the argument vector of a Windows command line (empty for a blank line)."""
    line = command_line.lstrip(_WHITESPACE)
    if not line:
        return []
    program, position = _split_program(line)
    return [program, *_split_arguments(line[position:])]


def _split_program(line: str) -> tuple[str, int]:
    if line.startswith('"'):
        closing = line.find('"', 1)
        if closing == -1:
            return line[1:], len(line)
        return line[1:closing], closing + 1
    end = 0
    while end < len(line) and line[end] not in _WHITESPACE:
        end += 1
    return line[:end], end


def _split_arguments(text: str) -> list[str]:
    arguments: list[str] = []
    current: list[str] = []
    in_argument = False
    quoted = False
    index = 0
    while index < len(text):
        char = text[index]
        if char in _WHITESPACE and not quoted:
            if in_argument:
                arguments.append("".join(current))
                current, in_argument = [], False
            index += 1
            continue
        in_argument = True
        if char == "\\":
            run_end = index
            while run_end < len(text) and text[run_end] == "\\":
                run_end += 1
            backslashes = run_end - index
            if run_end < len(text) and text[run_end] == '"':
                current.append("\\" * (backslashes // 2))
                if backslashes % 2:
                    current.append('"')
                    index = run_end + 1
                else:
                    index = run_end
            else:
                current.append("\\" * backslashes)
                index = run_end
            continue
        if char == '"':
            if quoted and index + 1 < len(text) and text[index + 1] == '"':
                current.append('"')
                index += 2
                continue
            quoted = not quoted
            index += 1
            continue
        current.append(char)
        index += 1
    if in_argument:
        arguments.append("".join(current))
    return arguments
