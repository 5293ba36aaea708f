/**
 * The apply confirmation, as Terraform asks it: only the exact word `yes` approves. Enter with
 * anything else, Escape, Ctrl+C or Ctrl+D all mean no, and say "Apply cancelled.".
 */
import React, { useState } from 'react';
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
  const { exit } = useApp();
  const [value, setValue] = useState('');
  const [answer, setAnswer] = useState<boolean | undefined>(undefined);

  const finish = (approved: boolean): void => {
    setAnswer(approved);
    onAnswer(approved);
    // Let the final frame (the answer, or "Apply cancelled.") render before Ink lets go.
    setTimeout(exit, 0);
  };

  useInput(
    (input, key) => {
      if ((key.ctrl && (input === 'c' || input === 'd')) || key.escape) return finish(false);
      if (key.return) return finish(value === 'yes');
      if (key.backspace || key.delete) return setValue((v) => v.slice(0, -1));
      if (key.ctrl || key.meta || key.tab || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow) return;
      // Pasted text arrives as one chunk; keep printable characters only.
      const printable = input.replace(/[\u0000-\u001f\u007f]/g, '');
      if (printable !== '') setValue((v) => v + printable);
    },
    { isActive: answer === undefined },
  );

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
