/** Entry point of the workbench bundle (web/index.html loads it). */
import { render } from 'preact';
import { App } from './app.js';
import './styles.css';

render(<App />, document.getElementById('app') as HTMLElement);
