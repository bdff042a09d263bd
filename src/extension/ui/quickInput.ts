import * as vscode from 'vscode';

/**
 * A multi-step input in the style of vscode-extension-samples quickinput-sample (multiStepInput.ts):
 * each step shows one quick pick or input box with the flow's title, "step k of n" and a Back
 * button; a step returns the next step. Back re-runs the previous step, so steps keep their
 * answers in the caller's state object and offer them as the initial value.
 */

export class InputFlowAction {
  private constructor(readonly name: string) {}
  static readonly back = new InputFlowAction('back');
  static readonly cancel = new InputFlowAction('cancel');
  static readonly resume = new InputFlowAction('resume');
}

export type InputStep = (input: MultiStepInput) => Thenable<InputStep | void>;

interface Common {
  title: string;
  step?: number;
  totalSteps?: number;
  /** Extra buttons; pressing one resolves the step with that button. */
  buttons?: readonly vscode.QuickInputButton[];
  ignoreFocusOut?: boolean;
  /** Asked when the input hides (e.g. focus moved away): true shows the step again. */
  shouldResume?: () => Thenable<boolean>;
}

export interface QuickPickParameters<T extends vscode.QuickPickItem> extends Common {
  items: readonly T[];
  activeItem?: T;
  placeholder: string;
  matchOnDescription?: boolean;
  matchOnDetail?: boolean;
  /**
   * Dynamic items: called once when shown and again each time the value changes (search as you
   * type). It sets `pick.items` and `pick.busy` itself; a rejection ends the flow with that error.
   */
  load?: (value: string, pick: vscode.QuickPick<T>) => Promise<void>;
  /**
   * Called when an item is accepted: return false to keep the step open (an item that opens a
   * diff or a preview, or a placeholder that cannot be chosen).
   */
  onWillAccept?: (item: T, pick: vscode.QuickPick<T>) => boolean | Promise<boolean>;
}

export interface InputBoxParameters extends Common {
  value: string;
  prompt: string;
  placeholder?: string;
  password?: boolean;
  /** The message shown under the box, or undefined when the value is acceptable; runs as the user types. */
  validate: (value: string) => string | undefined | Promise<string | undefined>;
}

export class MultiStepInput {
  /** Runs the flow from `start`; true when it ran to the end, false when the user cancelled. */
  static async run(start: InputStep): Promise<boolean> {
    return new MultiStepInput().#stepThrough(start);
  }

  #current: vscode.QuickInput | undefined;
  readonly #steps: InputStep[] = [];

  async #stepThrough(start: InputStep): Promise<boolean> {
    let step: InputStep | void = start;
    let completed = true;
    try {
      while (step) {
        this.#steps.push(step);
        if (this.#current) {
          this.#current.enabled = false;
          this.#current.busy = true;
        }
        try {
          step = await step(this);
        } catch (err) {
          if (err === InputFlowAction.back) {
            this.#steps.pop();
            step = this.#steps.pop();
          } else if (err === InputFlowAction.resume) {
            step = this.#steps.pop();
          } else if (err === InputFlowAction.cancel) {
            step = undefined;
            completed = false;
          } else {
            throw err;
          }
        }
      }
    } finally {
      this.#current?.dispose();
      this.#current = undefined;
    }
    return completed;
  }

  /** Whether Back makes sense: there is a step before this one. */
  get canGoBack(): boolean {
    return this.#steps.length > 1;
  }

  async showQuickPick<T extends vscode.QuickPickItem>(p: QuickPickParameters<T>): Promise<T | vscode.QuickInputButton> {
    const disposables: vscode.Disposable[] = [];
    try {
      return await new Promise<T | vscode.QuickInputButton>((resolve, reject) => {
        const input = vscode.window.createQuickPick<T>();
        this.#common(input, p);
        input.placeholder = p.placeholder;
        input.matchOnDescription = p.matchOnDescription ?? false;
        input.matchOnDetail = p.matchOnDetail ?? false;
        input.items = p.items;
        if (p.activeItem) input.activeItems = [p.activeItem];
        let accepting = false;
        const load = (value: string) => p.load?.(value, input).catch(reject);
        disposables.push(
          input.onDidTriggerButton((button) => (button === vscode.QuickInputButtons.Back ? reject(InputFlowAction.back) : resolve(button))),
          input.onDidAccept(async () => {
            const item = input.selectedItems[0] ?? input.activeItems[0];
            if (!item || accepting) return;
            accepting = true;
            // Work done on accept (loading the chosen template) shows as a busy, disabled pick.
            input.busy = true;
            input.enabled = false;
            try {
              if (!p.onWillAccept || (await p.onWillAccept(item, input))) resolve(item);
              else input.selectedItems = [];
            } catch (err) {
              reject(err);
            } finally {
              accepting = false;
              input.busy = false;
              input.enabled = true;
            }
          }),
          input.onDidHide(() => this.#hidden(p, reject)),
        );
        if (p.load) disposables.push(input.onDidChangeValue((value) => void load(value)));
        this.#show(input);
        if (p.load) void load(input.value);
      });
    } finally {
      for (const d of disposables) d.dispose();
    }
  }

  async showInputBox(p: InputBoxParameters): Promise<string | vscode.QuickInputButton> {
    const disposables: vscode.Disposable[] = [];
    try {
      return await new Promise<string | vscode.QuickInputButton>((resolve, reject) => {
        const input = vscode.window.createInputBox();
        this.#common(input, p);
        input.value = p.value;
        input.prompt = p.prompt;
        input.placeholder = p.placeholder;
        input.password = p.password ?? false;
        // Highlights a wrong default at once instead of after the first keystroke.
        let latest = 0;
        const validate = async (value: string): Promise<string | undefined> => {
          const mine = ++latest;
          const message = await p.validate(value);
          if (mine === latest) input.validationMessage = message;
          return message;
        };
        let validating = false;
        disposables.push(
          input.onDidTriggerButton((button) => (button === vscode.QuickInputButtons.Back ? reject(InputFlowAction.back) : resolve(button))),
          input.onDidAccept(async () => {
            const value = input.value;
            input.enabled = false;
            input.busy = true;
            validating = true;
            try {
              if (!(await validate(value))) resolve(value);
            } catch (err) {
              reject(err);
            } finally {
              validating = false;
              input.enabled = true;
              input.busy = false;
            }
          }),
          input.onDidChangeValue((value) => {
            if (!validating) void validate(value).catch(reject);
          }),
          input.onDidHide(() => this.#hidden(p, reject)),
        );
        this.#show(input);
        void validate(input.value).catch(reject);
      });
    } finally {
      for (const d of disposables) d.dispose();
    }
  }

  #common(input: vscode.QuickInput & { buttons: readonly vscode.QuickInputButton[] }, p: Common): void {
    input.title = p.title;
    input.step = p.step;
    input.totalSteps = p.totalSteps;
    input.ignoreFocusOut = p.ignoreFocusOut ?? false;
    input.buttons = [...(this.canGoBack ? [vscode.QuickInputButtons.Back] : []), ...(p.buttons ?? [])];
  }

  #show(input: vscode.QuickInput): void {
    this.#current?.dispose();
    this.#current = input;
    input.show();
  }

  #hidden(p: Common, reject: (reason: unknown) => void): void {
    void (async () => {
      reject(p.shouldResume && (await p.shouldResume()) ? InputFlowAction.resume : InputFlowAction.cancel);
    })().catch(reject);
  }
}

/** Whether a quick pick step's answer is an item (it has a label) rather than one of the extra buttons. */
export function isItem<T extends vscode.QuickPickItem>(value: T | vscode.QuickInputButton): value is T {
  return typeof value === 'object' && value !== null && 'label' in value;
}
