import { invoke } from "@tauri-apps/api/core";
import { mount } from "svelte";
import App from "./App.svelte";
import "./app.css";

const target = document.getElementById("app");
if (!target) throw new Error("index.html has no #app element");
const app = mount(App, { target });
// The first frame with the app in it is on screen two animation frames after it mounted: say so
// (the startup benchmark times it).
requestAnimationFrame(() => requestAnimationFrame(() => void invoke("first_frame")));
export default app;
