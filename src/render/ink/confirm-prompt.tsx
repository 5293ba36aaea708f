/**
 * The apply confirmation, as Terraform asks it: only the exact word `yes` approves. Enter with
 * anything else, Escape, Ctrl+C or Ctrl+D all mean no, and say "Apply cancelled.".
 */
import type React from 'react';
import { useEffect, useRef, useState } from 'react';
import { Box, Text, useApp, useInput } from 'ink';
import { paint } from '../progress-text.js';

export const CANCELLED = 'Apply cancelled.';

export interface ConfirmPromptProps {
  question: string;
  color: boolean;
  /** Called once, with true only for `yes`. */
  onAnswer: (approved: boolean) => void;
}

export function ConfirmPrompt({ question, color, onAnswer }: ConfirmPromptProps): React.JSX.Element {
  const { value, answer } = useTypedAnswer(onAnswer);
  return (
    <Box flexDirection="column">
      <Text>{paint(question, 'bold', color)}</Text>
      <Text>{"  Only 'yes' will be accepted to approve."}</Text>
      <Text>
        {'  Enter a value: '}
        {value}
        {answer === undefined ? paint('█', 'dim', color) : ''}
      </Text>
      {answer === false ? <Text>{paint(CANCELLED, 'fail', color)}</Text> : null}
    </Box>
  );
}

/** What has been typed, and the answer once given (then the app exits). */
function useTypedAnswer(onAnswer: (approved: boolean) => void): { value: string; answer: boolean | undefined } {
  const { exit } = useApp();
  // The typed text lives in a ref, not only in state: keys typed fast (or pasted with the Enter)
  // reach the handler before React re-renders, and must see every earlier key.
  const typed = useRef('');
  const answered = useRef(false);
  const [value, setValue] = useState('');
  const [answer, setAnswer] = useState<boolean | undefined>(undefined);

  const type = (next: string): void => {
    typed.current = next;
    setValue(next);
  };
  const finish = (approved: boolean): void => {
    if (answered.current) return;
    answered.current = true;
    setAnswer(approved);
    onAnswer(approved);
  };

  // Exit only once the answered frame (without cursor, or with "Apply cancelled.") is committed:
  // exiting straight from the key handler could unmount before React drew it.
  useEffect(() => {
    if (answer !== undefined) exit();
  }, [answer, exit]);

  useInput(
    (input, key) => {
      if ((key.ctrl && (input === 'c' || input === 'd')) || key.escape) return finish(false);
      if (answered.current) return;
      if (key.return) return finish(typed.current === 'yes');
      if (key.backspace || key.delete) return type(typed.current.slice(0, -1));
      if (key.ctrl || key.meta || key.tab || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow) return;
      // Pasted text (or keys sent in one write, as `tmux send-keys yes Enter` does) arrives as one
      // chunk, Enter included: what comes before the first line break is the answer.
      const lineBreak = input.search(/[\r\n]/);
      if (lineBreak >= 0) {
        type(typed.current + printable(input.slice(0, lineBreak)));
        return finish(typed.current === 'yes');
      }
      const text = printable(input);
      if (text !== '') type(typed.current + text);
    },
    { isActive: answer === undefined },
  );
  return { value, answer };
}

/** Printable characters only. */
function printable(input: string): string {
  return input.replace(/[\u0000-\u001f\u007f]/g, '');
}
