import { mount } from 'svelte';
import App from './App.svelte';
import '../../shared/tasks.css';

mount(App, { target: document.getElementById('root')! });
